#!/usr/bin/env node
// Posts one agent session to tracecollector with Node.js's built-in fetch (Node 18 or newer;
// Debian 12's nodejs is 18.19). No npm packages.
//
//   node examples/post_records.mjs [SESSION_ID]
//
// Environment: TRACECOLLECTOR_URL (default http://127.0.0.1:4318), TRACECOLLECTOR_API_KEY (sent
// as "Authorization: Bearer <key>" when set; needed only when the collector has auth.api_keys).
// HTTPS with a private CA: NODE_EXTRA_CA_CERTS=ca.pem (docs/tls.md).
//
// It sends a session, a timestep, an LLM call (a "cais" event with tokens and cost) and an
// assistant message in one POST /v1/records. Every record carries an "id" derived from the
// session id, so sending again - after a 429/503, a network error, or by running the script
// twice with the same SESSION_ID - never stores anything twice ("duplicate").
// Exit status: 0 when every record is stored or already was, 1 otherwise.

import {randomUUID} from 'node:crypto';

const BASE_URL = (process.env.TRACECOLLECTOR_URL || 'http://127.0.0.1:4318').replace(/\/+$/, '');
const API_KEY = process.env.TRACECOLLECTOR_API_KEY || '';
const MAX_ATTEMPTS = 8;
const MAX_WAIT_S = 30;

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

// Seconds before the next attempt: the server's Retry-After when it sent a number of seconds,
// else exponential backoff (0.2 s, 0.4 s, ...), never more than MAX_WAIT_S.
function retryDelay(attempt, retryAfter) {
  const seconds = Number(retryAfter);
  if (retryAfter !== null && retryAfter !== undefined && Number.isFinite(seconds)) {
    return Math.min(Math.max(seconds, 0), MAX_WAIT_S);
  }
  return Math.min(0.2 * 2 ** attempt, MAX_WAIT_S);
}

// POSTs `payload` as JSON; retries 429, 503, 500 and network errors. Returns {status, answer}.
// Safe to retry because every record has an id.
async function post(path, payload) {
  const headers = {'Content-Type': 'application/json'};
  if (API_KEY) {
    headers.Authorization = `Bearer ${API_KEY}`;
  }
  const body = JSON.stringify(payload);
  for (let attempt = 0; ; attempt++) {
    let wait;
    let reason;
    try {
      const response = await fetch(BASE_URL + path, {
        method: 'POST', headers, body, signal: AbortSignal.timeout(30000)});
      const answer = await response.json().catch(() => ({}));
      if (![429, 500, 503].includes(response.status) || attempt + 1 === MAX_ATTEMPTS) {
        return {status: response.status, answer};
      }
      wait = retryDelay(attempt, response.headers.get('retry-after'));
      reason = (answer.error && answer.error.code) || response.status;
    } catch (error) {
      if (attempt + 1 === MAX_ATTEMPTS) {
        throw error;
      }
      wait = retryDelay(attempt, null);
      reason = error.cause ? error.cause.code || error.cause.message : error.message;
    }
    console.error(`retrying in ${wait.toFixed(1)} s (${reason})`);
    await sleep(wait);
  }
}

// One step of an agent: the session, a timestep, an LLM call and the model's answer.
function sessionRecords(sessionId) {
  return [
    {type: 'session', id: `${sessionId}/session`, session_id: sessionId,
      metadata: {client: 'post_records.mjs'}},
    {type: 'timestep', id: `${sessionId}/step-1`, session_id: sessionId, step_id: 'step-1',
      turn_number: 1},
    {type: 'event', id: `${sessionId}/llm-1`, session_id: sessionId, step_id: 'step-1',
      event_type: 'cais', system_instance_id: 'agent',
      time_record: {event_time: Date.now() / 1000}, model_name: 'gpt-4o-mini',
      provider: 'openai', input_tokens: 120, output_tokens: 30, total_tokens: 150,
      cost_usd: 0.00036, latency_ms: 850},
    {type: 'message', id: `${sessionId}/msg-1`, session_id: sessionId, step_id: 'step-1',
      message_type: 'assistant', content: 'The answer is 42.'},
  ];
}

const sessionId = process.argv[2] || `js-${randomUUID().slice(0, 12)}`;
const {status, answer} = await post('/v1/records', {records: sessionRecords(sessionId)});
console.log(JSON.stringify({session_id: sessionId, http_status: status, answer}));
process.exit(status === 200 && answer.accepted === 4 && answer.total === 4 ? 0 : 1);
