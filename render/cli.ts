// `npm run render [-- --stack NAME] [--out DIR]`: what a stack would deploy, as files, without credentials.
import { renderCommand } from "./renderCommand";

renderCommand(process.argv.slice(2), { log: (line) => console.log(line), error: (text) => console.error(text) }).then((status) => {
    process.exitCode = status;
});
