import java.util.Queue;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
public class QChunk {
    public static void main(String[] a) throws Exception {
        QC.mx = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final Queue<Object> q;
        switch (a[0]) {
            case "jmpmc": q = new org.jctools.queues.MpmcArrayQueue<>(64); break;
            case "jmpscu": q = new org.jctools.queues.MpscUnboundedArrayQueue<>(64); break;
            case "jmpsc": q = new org.jctools.queues.MpscArrayQueue<>(64); break;
            case "ampmc": q = new org.agrona.concurrent.ManyToManyConcurrentArrayQueue<>(64); break;
            case "ampsc": q = new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(64); break;
            default: q = new org.agrona.concurrent.ManyToOneConcurrentLinkedQueue<>(); break;
        }
        final boolean emptyOnly = a.length > 1 && a[1].equals("e");
        if (System.getProperty("exercise") != null) {
            final Queue<Object> w = a[0].equals("ampmc") ? new org.agrona.concurrent.ManyToManyConcurrentArrayQueue<>(2) : new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(2);
            w.offer(w); w.poll(); w.isEmpty();
        }
        final long[] out = new long[400];
        Thread t = new Thread(() -> QC.measure(q, out, emptyOnly));
        t.start(); t.join();
        if (System.getProperty("twice") != null) {
            final long[] out2 = new long[400];
            StringBuilder sb0 = new StringBuilder();
            for (int k = 0; k < out.length; k++) if (out[k] != 0) sb0.append(" chunk ").append(k).append(": ").append(out[k]).append(" B");
            System.out.println("first thread:" + sb0);
            Thread t2 = new Thread(() -> QC.measure(q, out2, emptyOnly));
            t2.start(); t2.join();
            System.arraycopy(out2, 0, out, 0, out.length);
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < out.length; k++) if (out[k] != 0) sb.append(" chunk ").append(k).append(": ").append(out[k]).append(" B");
        System.out.println(a[0] + (emptyOnly ? " isEmpty" : " offer/poll") + ":" + sb);
    }
}
class QC {
    static ThreadMXBean mx; static long sink;
    static void measure(Queue<Object> q, long[] out, boolean emptyOnly) {
        final Object item = new Object();
        long x = mx.getCurrentThreadAllocatedBytes(); x = mx.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < out.length; k++) { final long b0 = mx.getCurrentThreadAllocatedBytes(); if (emptyOnly) empties(q, 1_000); else run(q, item, 1_000); out[k] = mx.getCurrentThreadAllocatedBytes() - b0; }
    }
    static void run(Queue<Object> q, Object item, int n) { long s = 0; for (int i = 0; i < n; i++) { q.offer(item); s += q.poll() == null ? 0 : 1; } sink += s; }
    static void empties(Queue<Object> q, int n) { long s = 0; for (int i = 0; i < n; i++) { s += q.isEmpty() ? 1 : 0; } sink += s; }
}
