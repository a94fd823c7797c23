/**
 * The {@link io.aixcl.core.engine.ContainerEngine} adapter for the Docker-compatible Engine API that Podman and
 * Docker serve on a local Unix socket.
 *
 * <p>The daemon builds it once, from its settings and the real environment:
 * <pre>{@code
 * ContainerEngine engine = DockerApiEngine.connect(
 *         EngineSettings.of(settings.engineSocket(), runtimeDir, secretsDir), HostEnvironment.current());
 * }</pre>
 * {@link io.aixcl.engine.docker.EngineLocator} tries the {@link io.aixcl.engine.docker.SocketStrategies standard
 * strategies} by priority (setting, {@code CONTAINER_HOST}, {@code DOCKER_HOST}, rootless Podman, rootful Podman,
 * Docker) and, when none answers, starts {@link io.aixcl.engine.docker.PodmanService Podman's API service} in the
 * runtime folder; the engine stops that service when closed. {@code EngineInfo.considered()} is what
 * {@code aixcl engine info} prints.
 *
 * <p>Public types: {@code DockerApiEngine}, {@code EngineSettings}, {@code HostEnvironment}, {@code EngineLocator},
 * {@code EngineLocation}, {@code Consideration}, {@code SocketStrategy}, {@code SocketStrategies}, {@code SocketProbe},
 * {@code PodmanService}, {@code SecretMountPolicy}, {@code ApiVersion}, {@code ApiVersionNegotiation}. docker-java
 * types never appear in their signatures; everything mapping to and from docker-java is package-private.
 */
package io.aixcl.engine.docker;
