package io.aixcl.daemon.http;

/** A handler of one API route. Throws domain exceptions freely: {@link ErrorMapping} turns them into answers. */
@FunctionalInterface
public interface Route {
    void handle(Exchange exchange) throws Exception;
}
