import type { Operation } from '@lumina/shared';

const common = `Options for every command:
  -o, --out <dir>        where results go, as <dir>/<name>.<format> (required)
      --api-url <url>    the Lumina API (default: $LUMINA_API_URL, else http://127.0.0.1:8787)
      --api-key <key>    an API key, lum_… (default: $LUMINA_API_KEY)
  -c, --concurrency <n>  files in flight at once, 1–16 (default 4)
      --force            redo files whose result already exists (default: skip them)
  -h, --help             this help

A task id (task_…) instead of a file continues from that task's result without uploading it again, e.g.
\`lumina upscale task_… --out big/ --scale 2\` for a cut-out made earlier; its result is written as <dir>/task_….<format>.
Folders are expanded to the images directly inside them (png, jpg, jpeg, webp, avif, heic, heif, tif, tiff, gif).
A result is written to a temporary file and renamed, so an existing non-empty result is always complete: run the
same command again to resume. Ctrl-C cancels the tasks in flight (nothing is charged for them) and exits with 130.
Prices are the server's (GET /api/v1/capabilities); the summary says what the run spent.
Exit code: 0 when every file succeeded or was skipped, 1 when any failed, 2 for a wrong command line.`;

const perOperation: Record<Operation, string> = {
  'remove-background': `usage: lumina remove-background <files or folders…> --out <dir> [options]

Cuts the subject out of each photo.

  --format png|webp        result format (default png)
  --crop                   trim the result to the subject
  --crop-margin <margin>   margin around the cropped subject: 30px or 10% (at most 500px / 50%)
  --bg-color <colour>      fill the background: hex (81d4fa, #fff, ffffff80) or a name (white, black, …)
  --channels rgba|alpha    rgba (default) or the mask alone

example: lumina remove-background photos/*.jpg --out cut/`,
  upscale: `usage: lumina upscale <files or folders…> --out <dir> --scale 2|4 [options]

Enlarges each image with ESRGAN.

  --scale 2|4              how much larger (required)
  --model slim|medium|thick  slim is fastest (default), thick sharpest
  --format png|webp        result format (default png)

example: lumina upscale shots/ --out big/ --scale 4 --model thick`,
  'magic-edit': `usage: lumina magic-edit <files or folders…> --out <dir> --prompt "<instruction>" [options]

Edits each image as the instruction says, with Gemini.

  --prompt <text>          what to change, e.g. "make it sunset" (required, at most 2000 characters)
  --size original|model    original keeps each image's size (default); model keeps the model's own size
  --format png|webp        result format (default png)

example: lumina magic-edit photos/ --out sunset/ --prompt "make it sunset"`,
};

export const generalUsage = `usage: lumina <command> <files or folders…> --out <dir> [options]

Commands:
  remove-background   cut the subject out (transparent background)
  upscale             enlarge 2× or 4×
  magic-edit          edit with an instruction

Run \`lumina <command> --help\` for the options of one command.

${common}`;

export const commandUsage = (operation: Operation): string => `${perOperation[operation]}\n\n${common}`;
