import java.nio.ByteBuffer;
import org.eclipse.jetty.client.*;
import org.eclipse.jetty.http.*;
import org.eclipse.jetty.io.*;
import org.eclipse.jetty.server.*;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

public class MiniProxy {
    public static void main(String[] a) throws Exception {
        int port = Integer.parseInt(a[0]);
        String upstream = a[1];
        int cores = Runtime.getRuntime().availableProcessors();
        ClientConnector cc = new ClientConnector();
        cc.setSelectors(cores);
        HttpClient client = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(cc));
        client.setMaxConnectionsPerDestination(256);
        client.start();
        Server server = new Server(new QueuedThreadPool());
        ServerConnector c = new ServerConnector(server, 1, cores);
        c.setHost("127.0.0.1"); c.setPort(port);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override public boolean handle(org.eclipse.jetty.server.Request req, org.eclipse.jetty.server.Response resp, Callback cb) {
                Content.Source.asByteBufferAsync(req).whenComplete((body, fail) -> {
                    if (fail != null) { cb.failed(fail); return; }
                    byte[] bytes = new byte[body.remaining()]; body.get(bytes);
                    client.newRequest(upstream).method(HttpMethod.POST)
                        .body(new BytesRequestContent("application/json", bytes))
                        .send(new BufferingResponseListener(1 << 20) {
                            @Override public void onComplete(Result r) {
                                if (r.isFailed()) { cb.failed(r.getFailure()); return; }
                                resp.setStatus(200);
                                resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                                resp.write(true, ByteBuffer.wrap(getContent()), cb);
                            }
                        });
                });
                return true;
            }
        });
        server.start();
        System.out.println("ready");
        server.join();
    }
}
