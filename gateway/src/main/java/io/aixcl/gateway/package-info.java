/**
 * The OpenAI- and Ollama-compatible gateway. Public API: {@link io.aixcl.gateway.GatewayServer},
 * {@link io.aixcl.gateway.GatewayConfig}, {@link io.aixcl.gateway.Embedder} and its in-process implementation
 * {@link io.aixcl.gateway.embed.MiniLmEmbedder}.
 *
 * <p>Package dependencies (acyclic): {@code openai} and {@code ollama} → {@code inference} → this package's
 * {@code Embedder}; {@code http} → {@code openai}, {@code ollama}, {@code inference}; {@code GatewayServer} →
 * {@code http}. Only {@code http} knows Netty (and {@code GatewayServer} its event loops); only {@code embed} knows
 * langchain4j.
 */
package io.aixcl.gateway;
