// Checks of names that several sections share: host names, DNS zones, versions.
import { Check } from "./fields";
import { show } from "./problems";

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const VERSION = /^\d+\.\d+\.\d+$/;

/** One DNS label, lower case: "floyd", "git". */
export function isHostnameLabel(s: string): boolean {
    return HOSTNAME_LABEL.test(s);
}

/** A lower-case DNS name with a top-level domain: "example.com". */
export function isDomain(s: string): boolean {
    return s.length <= 253 && DOMAIN.test(s);
}

export function hostnameLabel(example: string): Check<string> {
    return (s) => (isHostnameLabel(s) ? undefined : `${show(s)} is not a host name label (lower-case letters, digits, "-") such as ${show(example)}`);
}

export function version(example: string): Check<string> {
    return (s) => (VERSION.test(s) ? undefined : `${show(s)} is not a version such as ${show(example)}`);
}

/** Letters, digits and the given punctuation, e.g. a Nomad datacenter or a DigitalOcean tag. */
export function word(what: string, pattern: RegExp): Check<string> {
    return (s) => (pattern.test(s) ? undefined : `${show(s)} is not ${what}`);
}
