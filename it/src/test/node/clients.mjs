// Runs the official openai and ollama npm clients against an aixcl gateway and prints one JSON object of what
// they saw. GatewayClientsIT asserts on it; this script only observes, so a wrong answer fails there.
// Environment: AIXCL_GATEWAY (http://127.0.0.1:PORT), AIXCL_KEY, AIXCL_MODEL, AIXCL_EMBED_MODEL.
import OpenAI from 'openai';
import { Ollama } from 'ollama';

const base = process.env.AIXCL_GATEWAY;
const key = process.env.AIXCL_KEY;
const model = process.env.AIXCL_MODEL;
const embedModel = process.env.AIXCL_EMBED_MODEL ?? 'all-minilm';
const out = {};

async function observe(name, fn) {
  try {
    out[name] = await fn();
  } catch (e) {
    out[name] = { error: String(e?.message ?? e), status: e?.status ?? e?.status_code ?? null };
  }
}

const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries: 0 });
const params = { model, max_tokens: 8, temperature: 0, seed: 1 };

await observe('openaiModels', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  return { ids };
});
await observe('openaiChat', async () => {
  const r = await openai.chat.completions.create({ ...params, messages: [{ role: 'user', content: 'Say hi' }] });
  return { object: r.object, content: r.choices[0].message.content, role: r.choices[0].message.role,
    finish: r.choices[0].finish_reason, usage: r.usage };
});
await observe('openaiStream', async () => {
  const stream = await openai.chat.completions.create({ ...params, stream: true,
    stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Count' }] });
  let chunks = 0, text = '', finish = null, usage = null;
  for await (const c of stream) {
    chunks++;
    if (c.choices.length > 0) {
      text += c.choices[0].delta?.content ?? '';
      finish = c.choices[0].finish_reason ?? finish;
    }
    if (c.usage) usage = c.usage;
  }
  return { chunks, text, finish, usage };
});
await observe('openaiCompletion', async () => {
  const r = await openai.completions.create({ ...params, prompt: 'Once upon a time' });
  return { object: r.object, text: r.choices[0].text, usage: r.usage };
});
await observe('openaiEmbeddings', async () => {
  const r = await openai.embeddings.create({ model: embedModel, input: ['a cat', 'a dog'] });
  return { count: r.data.length, dimensions: r.data[0].embedding.length, usage: r.usage };
});
await observe('openaiBadKey', async () => {
  const bad = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'aixk_not-a-real-key', maxRetries: 0 });
  await bad.chat.completions.create({ ...params, messages: [{ role: 'user', content: 'hi' }] });
  return { refused: false };
});

const ollama = new Ollama({ host: base, headers: { Authorization: `Bearer ${key}` } });
await observe('ollamaVersion', async () => (await ollama.version()));
await observe('ollamaTags', async () => ({ names: (await ollama.list()).models.map(m => m.name) }));
await observe('ollamaShow', async () => {
  const r = await ollama.show({ model });
  return { family: r.details?.family ?? null, quantization: r.details?.quantization_level ?? null };
});
await observe('ollamaChat', async () => {
  const r = await ollama.chat({ model, messages: [{ role: 'user', content: 'Say hi' }],
    options: { num_predict: 8, temperature: 0, seed: 1 } });
  return { content: r.message.content, role: r.message.role, done: r.done, evalCount: r.eval_count };
});
await observe('ollamaStream', async () => {
  const stream = await ollama.generate({ model, prompt: 'Once', stream: true, options: { num_predict: 8 } });
  let parts = 0, text = '', done = false;
  for await (const p of stream) {
    parts++;
    text += p.response;
    done = p.done;
  }
  return { parts, text, done };
});
await observe('ollamaEmbed', async () => {
  const r = await ollama.embed({ model: embedModel, input: 'a cat' });
  return { count: r.embeddings.length, dimensions: r.embeddings[0].length };
});
await observe('ollamaPs', async () => ({ names: (await ollama.ps()).models.map(m => m.name) }));
await observe('ollamaPullRefused', async () => {
  await ollama.pull({ model: 'qwen2.5-coder:0.5b', stream: false });
  return { refused: false };
});
await observe('ollamaBadKey', async () => {
  const bad = new Ollama({ host: base, headers: { Authorization: 'Bearer aixk_not-a-real-key' } });
  await bad.list();
  return { refused: false };
});

console.log(JSON.stringify(out));
