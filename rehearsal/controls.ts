// The negative controls: each takes the rendered user-data and removes one safeguard, by
// text substitution, so the rehearsal shows the boot that safeguard prevents.

/** What a rehearsal run changes from the real first boot. */
export type Control = "none" | "conffile" | "dpkgLock" | "missingSuite" | "lockHeld";

export const CONTROLS: Record<Control, string> = {
    none: "the user-data as rendered",
    conffile:
        "dpkg's conffile answers (--force-confdef/--force-confold) removed from the user-data, and the nomad package shipping a conffile where our agent config goes",
    dpkgLock: "apt's dpkg lock timeout removed from the user-data, and the lock held while the bootstrap installs",
    missingSuite: "the vendor repositories without a suite for this release or any LTS the bootstrap may fall back to",
    // Not a negative control: with its lock timeout, the user-data must boot through this.
    lockHeld: "the user-data as rendered, with dpkg's lock held for two minutes while the bootstrap installs",
};

// `-o Dpkg::Options::=--force-confold` on a command line, quoted or not, and the same
// answers in apt.conf form (`Dpkg::Options { "--force-confold"; };`).
const CONFFILE_FLAG = /[ \t]*-o[ \t]*["']?Dpkg::Options::=["']?--force-conf[a-z]+["']?/gi;
const CONFFILE_CONF = /"--force-conf[a-z]+";?/gi;
// `-o DPkg::Lock::Timeout=600`, and `DPkg::Lock::Timeout "600";` in apt.conf form.
const LOCK_FLAG = /[ \t]*-o[ \t]*["']?DPkg::Lock::Timeout=\d+["']?/gi;
const LOCK_CONF = /DPkg::Lock::Timeout[ \t]+"\d+";?/gi;

export interface ControlledUserData {
    userData: string;
    /** How many safeguards the substitution removed (0: the user-data had none to remove). */
    removed: number;
}

function strip(text: string, patterns: RegExp[]): ControlledUserData {
    let removed = 0;
    let out = text;
    for (const p of patterns) {
        out = out.replace(p, () => {
            removed++;
            return "";
        });
    }
    return { userData: out, removed };
}

export function withoutConffileAnswers(userData: string): ControlledUserData {
    return strip(userData, [CONFFILE_FLAG, CONFFILE_CONF]);
}

export function withoutLockTimeout(userData: string): ControlledUserData {
    return strip(userData, [LOCK_FLAG, LOCK_CONF]);
}

/** The user-data a control boots. */
export function controlledUserData(control: Control, userData: string): ControlledUserData {
    switch (control) {
        case "conffile":
            return withoutConffileAnswers(userData);
        case "dpkgLock":
            return withoutLockTimeout(userData);
        default:
            return { userData, removed: 0 };
    }
}
