package io.softverbs.offheap.engine;

/** The InfiniBand timer encodings: RNR NAK timer codes and the local ACK timeout exponent. */
final class IbTimers
{
    /** RNR timer code to microseconds (IB spec table; code 0 is the longest). */
    private static final int[] RNR_MICROS = {
        655360, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640, 960, 1280, 1920, 2560, 3840, 5120, 7680,
        10240, 15360, 20480, 30720, 40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520 };

    private IbTimers()
    {
    }

    static long rnrNanos(final int code)
    {
        return RNR_MICROS[code & 0x1F] * 1000L;
    }

    /** @return 4.096 us x 2^timeout in ns, or 0 for "no timer". */
    static long ackTimeoutNanos(final int timeout)
    {
        return timeout == 0 ? 0 : 4096L << Math.min(timeout, 31);
    }
}
