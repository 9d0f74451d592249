// The prestart wait: a template lists the service's instances and is re-rendered
// when they change; the script waits until that file is non-empty.
import { discoveryFunction, ServiceProvider } from "../vocabulary";

/** Renders the addresses of `service`'s instances, one per line (empty until it registers). */
export function waitForServiceTemplate(service: string, provider: ServiceProvider): string {
    return `{{ range ${discoveryFunction(provider)} "${service}" }}{{ .Address }}:{{ .Port }}\n{{ end }}`;
}

/** POSIX sh, run by raw_exec in the task directory; fails after the deadline so the restart policy retries. */
export function waitForServiceScript(service: string, timeoutSeconds = 300): string {
    return `#!/bin/sh
# Waits until Nomad has registered service "${service}" (its template file becomes non-empty).
set -eu
addr_file="\${NOMAD_TASK_DIR}/${service}.addr"
deadline=$(( $(date +%s) + ${timeoutSeconds} ))
until [ -s "$addr_file" ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "service ${service} is not registered after ${timeoutSeconds}s" >&2
    exit 1
  fi
  sleep 2
done
echo "service ${service} is at $(head -n 1 "$addr_file")"
`;
}
