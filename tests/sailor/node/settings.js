// Prints the reference sailor's lib/settings.js readFrom(env) for a batch of environments.
// stdin: [{"ELASTICIO_...": "..."}, ...]
// stdout: one result per environment: {"ok": true, "values": {...}} or {"ok": false, "error": <message>}
// JSON cannot say undefined or Infinity, so they travel as {"$undefined": true} and
// {"$number": "Infinity"}.
'use strict';

const settings = require('elasticio-sailor-nodejs/lib/settings.js');

function tag(key, value) {
    if (value === undefined) {
        return { $undefined: true };
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
        return { $number: String(value) };
    }
    return value;
}

function run(environments) {
    return environments.map((env) => {
        try {
            return { ok: true, values: settings.readFrom(env) };
        } catch (err) {
            return { ok: false, error: err.message };
        }
    });
}

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
    process.stdout.write(JSON.stringify(run(JSON.parse(text)), tag));
});
