/** Help texts. Kept beside each other so the commands read alike. */
import { ASPECT_RATIO_KEYS } from '../models/seedream-sequential/aspect-ratios.js';
import { MAX_IMAGES, MAX_SEED, MIN_IMAGES, MIN_SEED, QUALITY_OPTIONS } from '../models/seedream-sequential/input.js';
import { MAX_REFERENCE_BYTES, MAX_REFERENCES } from '../references/reference-rules.js';

const MAX_REFERENCE_MB = MAX_REFERENCE_BYTES / 1024 / 1024;

export const MAIN_USAGE = `seedream: generate image sets with ByteDance Seedream 4.0 (sequential) on RunComfy

Usage:
  seedream generate "<prompt>" [options]    generate a set and download it
  seedream status <request-id>              where a request stands
  seedream result <request-id> [--out DIR]  show a finished set (and download it)
  seedream cancel <request-id>              cancel a request that is still queued

Run "seedream <command> --help" for the options of a command.

Environment:
  RUNCOMFY_API_TOKEN     required: your RunComfy API token
  RUNCOMFY_BASE_URL      API address (default https://model-api.runcomfy.net)
  RUNCOMFY_MODEL_ID      default bytedance/seedream-4-0/sequential
  RUNCOMFY_EDIT_MODEL_ID model of --ref sets (default bytedance/seedream-4-0/edit-sequential)
  RUNCOMFY_OUTPUT_HOSTS  hosts images may be downloaded from (default *.runcomfy.net,*.runcomfy.com)
  RUNCOMFY_TIMEOUT       timeout of one API call (default 30s)

Exit codes: 0 ok, 1 the job failed or RunComfy refused, 2 usage or bad input (nothing was sent),
130 interrupted (Ctrl-C).
`;

export const GENERATE_USAGE = `Usage: seedream generate "<prompt>" [options]

Generates a set of related images and downloads them as <out>/<request-id>-<n>.<ext>.
The prompt should say how many images ("4 posters of …"); otherwise -n (or 3) is added to it.
Use "-" as the prompt to read it from standard input.

Options:
  -n, --count <n>       number of images, ${MIN_IMAGES}-${MAX_IMAGES} (default: the number in the prompt, else 3)
  -a, --aspect <ratio>  ${ASPECT_RATIO_KEYS.join(', ')} (default 16:9)
  -s, --seed <n>        ${MIN_SEED}-${MAX_SEED}, for repeatable results (default: a random one, printed)
  -q, --quality <q>     ${QUALITY_OPTIONS.join(' or ')} (standard: better, slower; default fast)
      --ref <url>       a reference image (PNG, JPEG or WebP, at most ${MAX_REFERENCE_MB} MB) at a public HTTPS
                        URL, not a local file: RunComfy fetches it. Up to ${MAX_REFERENCES} (repeat --ref); references
                        and images together at most ${MAX_IMAGES}. With --ref the set is made by the edit model
  -o, --out <dir>       folder for the images (default: ./seedream-<request-id>, made in the
                        current folder)
      --timeout <dur>   stop waiting after this long, e.g. 30m, 90s, 1h (default 30m)
      --json            print a JSON document instead of the file paths
      --quiet           no progress on stderr
      --verbose         debug logs on stderr
  -h, --help            this help

Ctrl-C cancels the request while it is still queued. Once it is generating RunComfy cannot
cancel it; "seedream result <request-id> --wait --out <dir>" fetches it later.

Examples:
  seedream generate "3 images of a lighthouse at dusk" --aspect 16:9 --out ./out
  seedream generate "a koi pond through the seasons" -n 4 --seed 42 --quality standard --json
  seedream generate "the same cat in four seasons" -n 4 --ref https://example.com/cat.png
`;

export const STATUS_USAGE = `Usage: seedream status <request-id> [--json]

Shows where a request stands: queued (with its position), generating, succeeded, failed or
cancelled.

Options:
      --json       print RunComfy's answer as JSON
      --verbose    debug logs on stderr
  -h, --help       this help
`;

export const RESULT_USAGE = `Usage: seedream result <request-id> [options]

Shows the result of a request: its image URLs once it succeeded, or its current state.

Options:
  -o, --out <dir>       download the images to <dir>/<request-id>-<n>.<ext> and print their paths
      --wait            wait until the request has finished (with --timeout)
      --timeout <dur>   how long --wait waits, e.g. 30m, 90s (default 30m)
      --json            print a JSON document
      --quiet           no progress on stderr
      --verbose         debug logs on stderr
  -h, --help            this help

Exit code 1 when the request failed or was cancelled.
`;

export const CANCEL_USAGE = `Usage: seedream cancel <request-id> [--json]

Cancels a request that is still queued. A request that is already generating (or finished)
cannot be cancelled on RunComfy; the exit code is then 1.

Options:
      --json       print RunComfy's answer as JSON
      --verbose    debug logs on stderr
  -h, --help       this help
`;
