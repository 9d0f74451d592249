// Where a job's secrets live in Nomad, and how its templates read them.

/** The Nomad Variable a job's tasks may read without any ACL policy. */
export function variablePath(job: string): string {
    return `nomad/jobs/${job}`;
}

/** Item names of a job's variable: they appear in templates as `.name`. */
export const VARIABLE_ITEM = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A template expression that renders one item of the job's variable at run time (never its value). */
export function secretTemplate(job: string, item: string): string {
    if (!VARIABLE_ITEM.test(item)) {
        throw new Error(`secret name ${JSON.stringify(item)} must be a template identifier`);
    }
    return `{{ with nomadVar "${variablePath(job)}" }}{{ .${item}.Value }}{{ end }}`;
}
