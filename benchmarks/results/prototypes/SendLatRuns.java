import io.softverbs.benchmarks.perf.LatencyResult;
import io.softverbs.benchmarks.perf.PerfOptions;
import io.softverbs.benchmarks.perf.PerfRunner;
import io.softverbs.benchmarks.perf.PerfTest;

/**
 * Session 12's harness, not part of the build: runs send_lat ({@code -s 32 -n 200000 --warmup 40000}) in this JVM
 * a given number of times and prints each median round trip. With the prototype patch beside it applied, the
 * system property {@code softverbs.proto} (a bit set, see the patch's {@code Tp}) picks the variant; alternate the
 * variants JVM by JVM:
 * <pre>
 * git apply benchmarks/results/prototypes/session12-bounds.patch
 * mvn -q -o -DskipTests -Dcheckstyle.skip install; J=benchmarks/target/softverbs-perf.jar
 * javac -cp $J -d /tmp/runs benchmarks/results/prototypes/SendLatRuns.java
 * for pair in 1 2 3; do for m in 0 1 2 3; do echo "$pair m$m $(java -Dsoftverbs.proto=$m \
 *   --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp $J:/tmp/runs SendLatRuns 3)"; done; done
 * </pre>
 */
public final class SendLatRuns
{
    public static void main(final String[] args) throws Exception
    {
        final int runs = Integer.parseInt(args[0]);
        final StringBuilder line = new StringBuilder();
        for (int i = 0; i < runs; i++)
        {
            final LatencyResult result = (LatencyResult)PerfRunner.run(PerfOptions.parse(new String[] {
                "-s", "32", "-n", "200000", "--warmup", "40000"}).toSettings(PerfTest.SEND_LAT), null).get(0);
            line.append(String.format("%.0f ", result.medianRoundTripNanos()));
        }
        System.out.println(line.toString().trim());
    }
}
