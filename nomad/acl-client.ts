/**
 * The ACL side of Nomad's API: namespaces, ACL policies and ACL tokens, and
 * the token's own lookup. Calls need a management token (the bootstrap one).
 * Serialized with the ACL providers, like ./client: local modules only, and
 * never a token's SecretID in a message.
 */
import { Connection, NomadClientOptions, connection, send } from "./http";

export interface Namespace {
    Name: string;
    Description?: string;
    CreateIndex?: number;
    ModifyIndex?: number;
}

export interface AclPolicy {
    Name: string;
    Description?: string;
    /** HCL rules. */
    Rules: string;
    CreateIndex?: number;
    ModifyIndex?: number;
}

export interface AclToken {
    AccessorID: string;
    /** The secret: sent as X-Nomad-Token. */
    SecretID: string;
    Name: string;
    Type: "client" | "management";
    Policies: string[] | null;
    Global: boolean;
    CreateIndex?: number;
    ModifyIndex?: number;
}

export class NomadAclClient {
    private readonly conn: Connection;
    private readonly region: string | undefined;

    constructor(options: NomadClientOptions) {
        this.conn = connection(options);
        this.region = options.region || undefined;
    }

    // ---- namespaces ----------------------------------------------------------

    /** `POST /v1/namespace/:name`: create or update. */
    async putNamespace(ns: Namespace): Promise<void> {
        await this.write(`/v1/namespace/${encodeURIComponent(ns.Name)}`, { Name: ns.Name, Description: ns.Description ?? "" });
    }

    /** `GET /v1/namespace/:name`, or undefined when absent. */
    async readNamespace(name: string): Promise<Namespace | undefined> {
        return this.readOptional<Namespace>(`/v1/namespace/${encodeURIComponent(name)}`);
    }

    /** `DELETE /v1/namespace/:name`; an absent namespace is success. Nomad refuses while jobs or variables remain in it. */
    async deleteNamespace(name: string): Promise<void> {
        await this.remove(`/v1/namespace/${encodeURIComponent(name)}`);
    }

    // ---- ACL policies --------------------------------------------------------

    /** `POST /v1/acl/policy/:name`: create or update (Nomad checks the rules). */
    async putPolicy(p: AclPolicy): Promise<void> {
        await this.write(`/v1/acl/policy/${encodeURIComponent(p.Name)}`, { Name: p.Name, Description: p.Description ?? "", Rules: p.Rules });
    }

    async readPolicy(name: string): Promise<AclPolicy | undefined> {
        return this.readOptional<AclPolicy>(`/v1/acl/policy/${encodeURIComponent(name)}`);
    }

    async deletePolicy(name: string): Promise<void> {
        await this.remove(`/v1/acl/policy/${encodeURIComponent(name)}`);
    }

    // ---- ACL tokens ----------------------------------------------------------

    /** `POST /v1/acl/token` (new) or `/v1/acl/token/:accessor` (update): Nomad makes the SecretID. */
    async putToken(t: { AccessorID?: string; Name: string; Type: "client" | "management"; Policies: string[] }): Promise<AclToken> {
        const path = t.AccessorID ? `/v1/acl/token/${encodeURIComponent(t.AccessorID)}` : "/v1/acl/token";
        const res = await send(this.conn, { method: "POST", path, query: { region: this.region }, body: t });
        return JSON.parse(res.text) as AclToken;
    }

    async readToken(accessorId: string): Promise<AclToken | undefined> {
        return this.readOptional<AclToken>(`/v1/acl/token/${encodeURIComponent(accessorId)}`);
    }

    async deleteToken(accessorId: string): Promise<void> {
        await this.remove(`/v1/acl/token/${encodeURIComponent(accessorId)}`);
    }

    /** `GET /v1/acl/token/self`: the token this client sends (fails 403 when it is unknown or none is sent). */
    async self(): Promise<AclToken> {
        const res = await send(this.conn, { method: "GET", path: "/v1/acl/token/self", query: { region: this.region } });
        return JSON.parse(res.text) as AclToken;
    }

    private async write(path: string, body: unknown): Promise<void> {
        await send(this.conn, { method: "POST", path, query: { region: this.region }, body });
    }

    private async readOptional<T>(path: string): Promise<T | undefined> {
        const res = await send(this.conn, { method: "GET", path, query: { region: this.region }, accept: [404] });
        return res.status === 404 ? undefined : ((JSON.parse(res.text) as T | null) ?? undefined);
    }

    private async remove(path: string): Promise<void> {
        await send(this.conn, { method: "DELETE", path, query: { region: this.region }, accept: [404] });
    }
}
