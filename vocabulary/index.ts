// The estate's vocabulary: the leaf every other folder builds on. It imports nothing from the project.
export * from "./app";
export * from "./discovery";
export * from "./image";
export * from "./jobSpec";
export * from "./placement";
export * from "./nomadTls";
export * from "./ranges";
export * from "./route";
export * from "./secrets";
export * from "./typeTokens";
export * from "./variables";
export * from "./visibility";
