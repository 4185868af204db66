// Encrypts and decrypts a batch of cases with the reference sailor's lib/encryptor.js.
// stdin: {"password", "iv", "cases": [{"op": "encrypt", "json": <JSON text>, "encoding": "base64"|null}
//                                     | {"op": "decrypt", "content": <base64 of the bytes>, "encoding": ...}]}
// stdout: one result per case: {"ok": true, "content": <base64 of the output bytes>, "json": <JSON.stringify>}
//                           or {"ok": false, "error": <message>}
'use strict';

// The encryptor logs decryption failures through bunyan; keep stdout for the results.
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'fatal';

const Encryptor = require('elasticio-sailor-nodejs/lib/encryptor.js');

function run(input) {
    const encryptor = new Encryptor(input.password, input.iv);
    return input.cases.map((item) => {
        const encoding = item.encoding || undefined;
        try {
            if (item.op === 'encrypt') {
                const message = JSON.parse(item.json);
                const content = encryptor.encryptMessageContent(message, encoding);
                return { ok: true, content: content.toString('base64'), json: JSON.stringify(message) };
            }
            const content = Buffer.from(item.content, 'base64');
            const message = encryptor.decryptMessageContent(content, encoding);
            return { ok: true, json: JSON.stringify(message) };
        } catch (err) {
            return { ok: false, error: err.message };
        }
    });
}

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { text += chunk; });
process.stdin.on('end', () => {
    process.stdout.write(JSON.stringify(run(JSON.parse(text))));
});
