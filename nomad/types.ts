/** The job JSON we produce, the API replies we read, and duration helpers, in one import. */
export * from "./durations";
export type * from "./job-types";
export type * from "./api-types";
