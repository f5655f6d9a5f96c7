package io.softverbs.benchmarks.perf.oob;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/**
 * The out-of-band channel between two processes: one plain TCP connection, as perftest's (default port
 * 18515). The server listens, the client connects; after the endpoint exchange each message is one tag byte
 * (plus a long for a report), so the server can test for a stop ({@code S} ends a size, {@code P} a warm-up
 * slice) with {@code available()} without blocking.
 */
public final class TcpOutOfBand implements OutOfBand
{
    private static final byte BARRIER = 'B';
    private static final byte STOP = 'S';
    private static final byte PAUSE = 'P';
    private static final byte REPORT = 'R';
    private static final long CONNECT_RETRY_MS = 100;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String description;
    private boolean sizeDone;

    private TcpOutOfBand(final Socket socket, final Duration readTimeout) throws IOException
    {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        description = "Ethernet (TCP " + socket.getLocalSocketAddress() + " <-> " + socket.getRemoteSocketAddress() + ")";
    }

    /** A bound server socket waiting for the client. */
    public static final class Listener implements AutoCloseable
    {
        private final ServerSocket server;

        private Listener(final ServerSocket server)
        {
            this.server = server;
        }

        /** @return the bound port (useful after listening on port 0). */
        public int port()
        {
            return server.getLocalPort();
        }

        /**
         * @param acceptTimeout how long to wait for a client; zero waits forever, as perftest's server does.
         * @param readTimeout   longest wait for any message afterwards.
         * @return the channel to the client.
         * @throws IOException on failure or timeout.
         */
        public TcpOutOfBand accept(final Duration acceptTimeout, final Duration readTimeout) throws IOException
        {
            server.setSoTimeout(Math.toIntExact(acceptTimeout.toMillis()));
            return new TcpOutOfBand(server.accept(), readTimeout);
        }

        @Override
        public void close()
        {
            try
            {
                server.close();
            }
            catch (final IOException ex)
            {
                // closing a listener cannot fail in a way the caller could act on
            }
        }
    }

    /**
     * @param port the TCP port, 0 for an ephemeral one.
     * @return a listener bound to all interfaces.
     * @throws IOException if the port cannot be bound.
     */
    public static Listener listen(final int port) throws IOException
    {
        final ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port));
        return new Listener(server);
    }

    /**
     * Connects to a server, retrying while nothing listens yet (the client may be started first).
     *
     * @param host        server host.
     * @param port        server port.
     * @param waitForPeer how long to keep retrying.
     * @param readTimeout longest wait for any message afterwards.
     * @return the channel to the server.
     * @throws IOException on failure or timeout.
     */
    public static TcpOutOfBand connect(final String host, final int port, final Duration waitForPeer,
        final Duration readTimeout) throws IOException
    {
        final long deadline = System.nanoTime() + waitForPeer.toNanos();
        while (true)
        {
            final Socket socket = new Socket();
            try
            {
                socket.connect(new InetSocketAddress(host, port), Math.toIntExact(readTimeout.toMillis()));
                return new TcpOutOfBand(socket, readTimeout);
            }
            catch (final ConnectException ex)
            {
                socket.close();
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IOException("no softverbs-perf server at " + host + ":" + port, ex);
                }
                pause();
            }
            catch (final IOException | RuntimeException ex)
            {
                socket.close();
                throw ex;
            }
        }
    }

    private static void pause() throws IOException
    {
        try
        {
            Thread.sleep(CONNECT_RETRY_MS); // a retry interval, not synchronisation
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", ex);
        }
    }

    @Override
    public PeerInfo exchange(final PeerInfo local) throws IOException
    {
        local.writeTo(out);
        out.flush();
        return PeerInfo.readFrom(in);
    }

    @Override
    public void barrier() throws IOException
    {
        out.writeByte(BARRIER);
        out.flush();
        expect(BARRIER);
    }

    @Override
    public void requestStop(final boolean sizeDone) throws IOException
    {
        out.writeByte(sizeDone ? STOP : PAUSE);
        out.flush();
    }

    @Override
    public boolean stopRequested() throws IOException
    {
        if (in.available() == 0)
        {
            return false;
        }
        final byte got = in.readByte();
        if (got != STOP && got != PAUSE)
        {
            throw new IOException("out of step with the peer: expected '" + (char)STOP + "' or '" + (char)PAUSE +
                "', got '" + (char)got + "'");
        }
        sizeDone = got == STOP;
        return true;
    }

    @Override
    public boolean sizeDone()
    {
        return sizeDone;
    }

    @Override
    public void sendReport(final long value) throws IOException
    {
        out.writeByte(REPORT);
        out.writeLong(value);
        out.flush();
    }

    @Override
    public long receiveReport() throws IOException
    {
        expect(REPORT);
        return in.readLong();
    }

    @Override
    public String description()
    {
        return description;
    }

    private void expect(final byte tag) throws IOException
    {
        final byte got = in.readByte();
        if (got != tag)
        {
            throw new IOException("out of step with the peer: expected '" + (char)tag + "', got '" + (char)got + "'");
        }
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // nothing to do: the peer sees the connection drop either way
        }
    }
}
