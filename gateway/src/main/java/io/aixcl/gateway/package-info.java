/** The OpenAI- and Ollama-compatible gateway. */
package io.aixcl.gateway;
