// The inputs a NomadJob or NomadVariable registers.

/**
 * The inputs that are set: the SDK makes an Output (four promises) on the resource for every key
 * it is given, while the engine never sees a key whose value is undefined. The outputs are still
 * declared as undefined keys: that is how the resource gets them.
 */
export function setInputs<T extends object>(inputs: T): Partial<T> {
    return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined)) as Partial<T>;
}
