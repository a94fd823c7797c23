package io.aixcl.engine.llama.worker;

/**
 * Ends the worker when its parent is gone. A closed socket usually tells first; this covers a parent that hangs
 * on to the socket (or a worker stuck in a native call) after being reparented.
 */
final class ParentWatch {

    private ParentWatch() {
    }

    static void start(long parentPid, int exitCode) {
        Thread watcher = new Thread(() -> {
            while (true) {
                long current = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
                if (current != parentPid) {
                    System.err.println("worker: parent " + parentPid + " is gone; exiting");
                    // halt, not exit: a native call may hold the model, and nobody awaits an orderly close.
                    Runtime.getRuntime().halt(exitCode);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
