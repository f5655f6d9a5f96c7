package io.softverbs.benchmarks.perf;

/**
 * Where the two sides of a test run. perftest decides by the host argument: without one the program is the
 * server, with one it is the client. On the {@code mem} transport a peer can only be in the same JVM, so there
 * "no host" means both sides here.
 */
public enum Deployment
{
    /** Client and server in this JVM, one thread each; the out-of-band exchange is in memory. */
    IN_PROCESS,
    /** This process is the server: it waits for a client on the TCP port. */
    SERVER,
    /** This process is the client: it connects to the server's TCP port and measures. */
    CLIENT;

    /**
     * @param host      the host argument, or null.
     * @param transport the device transport.
     * @return the deployment those imply.
     */
    public static Deployment of(final String host, final String transport)
    {
        if (host != null)
        {
            return CLIENT;
        }
        return "mem".equals(transport) ? IN_PROCESS : SERVER;
    }
}
