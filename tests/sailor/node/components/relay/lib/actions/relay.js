'use strict';

// Does what the incoming body's "do" says. The sailor ends a message by itself only when
// process returns a truthy value (a promise, a message); a process that emits events and
// returns nothing must emit 'end' itself, as the 'emit' cases below do.
const { randomUUID } = require('crypto');
const fs = require('fs');

function message(body, headers) {
    return { id: randomUUID(), body, headers: headers || {}, attachments: {} };
}

// Events emitted one after another, then 'end'.
function emitAll(self, events) {
    (async () => {
        for (const [name, value] of events) {
            await self.emit(name, value);
        }
        await self.emit('end');
    })();
}

exports.process = function process(msg, cfg, snapshot) {
    const body = msg.body || {};
    const via = { ...body, via: 'node' };
    switch (body.do) {
        case 'data':
            return Promise.resolve(message(via));
        case 'error':
            throw new Error(body.message || 'relay error');
        case 'rebound':
            emitAll(this, [['rebound', new Error(body.message || 'relay rebound')]]);
            return undefined;
        case 'snapshot':
            emitAll(this, [['snapshot', body.snapshot || {}], ['data', message(via)]]);
            return undefined;
        case 'updateSnapshot':
            emitAll(this, [['updateSnapshot', body.snapshot || {}], ['data', message(via)]]);
            return undefined;
        case 'route':
            return Promise.resolve(message(via, { 'X-EIO-Routing-Key': body.key }));
        case 'httpReply':
            emitAll(this, [
                ['httpReply', { statusCode: 200, body: 'ok', headers: {} }],
                ['data', message(via)]
            ]);
            return undefined;
        case 'updateKeys':
            emitAll(this, [['updateKeys', body.keys || {}], ['data', message(via)]]);
            return undefined;
        case 'many':
            emitAll(this, Array.from({ length: body.count || 2 }, (_, index) =>
                ['data', message({ ...via, index })]));
            return undefined;
        case 'wait':
            // A FIFO (tests.sailor.amqp_harness.Gate), read on libuv's thread pool: opening it
            // waits for the test to open its end, reading it for the test to close it.
            return fs.promises.readFile(body.gate).then(() => message(via));
        case 'reboundOnce': {
            const earlier = fs.existsSync(body.runs)
                ? fs.readFileSync(body.runs, 'utf8').split('\n').filter(Boolean).length
                : 0;
            fs.appendFileSync(body.runs, `${msg.id}\n`);
            if (!earlier) {
                emitAll(this, [['rebound', new Error('once')]]);
                return undefined;
            }
            return Promise.resolve(message({ ...via, run: earlier + 1 }));
        }
        case 'state':
            // What the sailor handed to process: the step's config and the current snapshot.
            return Promise.resolve(message({ ...via, cfg, snapshot }));
        default:
            return Promise.resolve(message(via));
    }
};

// STARTUP_REQUIRED: the sailor stores what startup returns as the flow's startup data.
exports.startup = async function startup(cfg) {
    return { startedBy: 'relay', cfg };
};

exports.init = async function init(cfg) {
    if (cfg && cfg.failInit) {
        throw new Error('relay init failed on purpose');
    }
};

exports.shutdown = async function shutdown() {
    return undefined;
};
