// The Vercel AI SDK (npm `ai`, pinned in tests/otlp/package.json) with its OpenTelemetry
// telemetry on, exporting to a collector: one generateText call with a tool, two steps (the
// model asks for the tool, then answers), as an agent using the SDK would make it. The model is
// the SDK's own MockLanguageModelV1 (no network, no key): everything else — the spans, their
// attributes, the OTLP exporter — is the real SDK's. Used by tests/integration/otlp_sdk_test.sh.
//   node vercel_ai_client.mjs --url http://127.0.0.1:4318 --session conv-1 [--protocol proto|json]
// Prints the trace id, then exits 0 once the spans were exported (1 if the export failed).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { generateText, tool } from 'ai';
import { MockLanguageModelV1 } from 'ai/test';
import { z } from 'zod';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const url = (args.url || 'http://127.0.0.1:4318') + '/v1/traces';
const Exporter = args.protocol === 'json' ? JsonExporter : ProtoExporter;
const exporter = new Exporter({ url });
let failed = false;
const exportOnce = exporter.export.bind(exporter);
exporter.export = (spans, done) => exportOnce(spans, (result) => {
  if (result.code !== 0) { failed = true; console.error('export failed:', result.error?.message); }
  done(result);
});
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(provider);
// What NodeSDK does: spans started inside another (the tool call inside generateText) become
// its children, in one trace.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

let calls = 0;
const model = new MockLanguageModelV1({
  provider: 'openai.chat',
  modelId: 'gpt-4o-mini',
  doGenerate: async () => {
    calls += 1;
    if (calls === 1) {
      return {
        rawCall: { rawPrompt: null, rawSettings: {} }, finishReason: 'tool-calls',
        usage: { promptTokens: 30, completionTokens: 10 },
        toolCalls: [{ toolCallType: 'function', toolCallId: 'call-1', toolName: 'weather', args: '{"city":"Paris"}' }],
      };
    }
    return {
      rawCall: { rawPrompt: null, rawSettings: {} }, finishReason: 'stop',
      usage: { promptTokens: 50, completionTokens: 12 }, text: 'It is sunny in Paris.',
    };
  },
});

let traceId = '';
const result = await generateText({
  model,
  maxSteps: 3,
  system: 'Be brief.',
  prompt: 'Weather in Paris?',
  tools: {
    weather: tool({
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        traceId = trace.getActiveSpan()?.spanContext().traceId || traceId;
        return { city, sky: 'sunny' };
      },
    }),
  },
  experimental_telemetry: {
    isEnabled: true, functionId: 'weather-agent', metadata: { sessionId: args.session || 'vercel-1' },
  },
});
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ traceId, text: result.text }));
process.exit(failed ? 1 : 0);
