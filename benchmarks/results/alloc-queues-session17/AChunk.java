import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
public class AChunk {
    public static void main(String[] a) throws Exception {
        AC.mx = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] out = new long[400];
        Thread t = new Thread(() -> AC.measure(new ManyToOneConcurrentArrayQueue<Object>(64), out));
        t.start(); t.join();
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < out.length; k++) if (out[k] != 0) sb.append(" chunk ").append(k).append(": ").append(out[k]).append(" B");
        System.out.println(sb);
    }
}
class AC {
    static ThreadMXBean mx;
    static long sink;
    static void measure(ManyToOneConcurrentArrayQueue<Object> q, long[] out) {
        final Object item = new Object();
        long x = mx.getCurrentThreadAllocatedBytes();
        x = mx.getCurrentThreadAllocatedBytes();
        for (int k = 0; k < out.length; k++) {
            final long b0 = mx.getCurrentThreadAllocatedBytes();
            run(q, item, 1_000);
            out[k] = mx.getCurrentThreadAllocatedBytes() - b0;
        }
    }
    static void run(ManyToOneConcurrentArrayQueue<Object> q, Object item, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) { q.offer(item); s += q.poll() == null ? 0 : 1; }
        sink += s;
    }
}
