/** InferenceEngine adapters over HTTP: Ollama's native API and OpenAI-compatible upstreams. */
package io.aixcl.engine.http;
