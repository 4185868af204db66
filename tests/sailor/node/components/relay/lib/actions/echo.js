'use strict';

const { randomUUID } = require('crypto');

// Returns a promise, so the sailor emits the data and then 'end' by itself.
exports.process = async function process(msg) {
    return { id: randomUUID(), body: msg.body, headers: {}, attachments: {} };
};
