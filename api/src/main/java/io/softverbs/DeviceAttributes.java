package io.softverbs;

/** What a device can do; maps to {@code struct ibv_device_attr} from {@code ibv_query_device}. */
public final class DeviceAttributes
{
    private final String name;
    private final String transport;
    private final int functionCount;
    private final int maxQp;
    private final int maxCq;
    private final int maxMr;
    private final int maxSrq;
    private final int maxQpWr;
    private final int maxSge;
    private final int maxInlineData;
    private final int maxCqe;
    private final long maxMrSize;
    private final int maxQpRdAtom;

    /**
     * @param config      what the device was opened with.
     * @param maxMrSize   largest memory region in bytes.
     * @param maxQpRdAtom outstanding RDMA READs and atomics per QP.
     */
    public DeviceAttributes(final DeviceConfig config, final long maxMrSize, final int maxQpRdAtom)
    {
        name = config.name();
        transport = config.transport();
        functionCount = config.functions();
        maxQp = config.maxQp();
        maxCq = config.maxCq();
        maxMr = config.maxMr();
        maxSrq = config.maxSrq();
        maxQpWr = config.maxQpWr();
        maxSge = config.maxSge();
        maxInlineData = config.maxInlineData();
        maxCqe = config.maxCqe();
        this.maxMrSize = maxMrSize;
        this.maxQpRdAtom = maxQpRdAtom;
    }

    /** @return the device name. */
    public String name()
    {
        return name;
    }

    /** @return the transport it was opened with. */
    public String transport()
    {
        return transport;
    }

    /** @return number of functions (PF + VFs). */
    public int functionCount()
    {
        return functionCount;
    }

    /** @return {@code max_qp}. */
    public int maxQp()
    {
        return maxQp;
    }

    /** @return {@code max_cq}. */
    public int maxCq()
    {
        return maxCq;
    }

    /** @return {@code max_mr}. */
    public int maxMr()
    {
        return maxMr;
    }

    /** @return {@code max_srq}. */
    public int maxSrq()
    {
        return maxSrq;
    }

    /** @return {@code max_qp_wr}. */
    public int maxQpWr()
    {
        return maxQpWr;
    }

    /** @return {@code max_sge}. */
    public int maxSge()
    {
        return maxSge;
    }

    /** @return largest inline payload. */
    public int maxInlineData()
    {
        return maxInlineData;
    }

    /** @return {@code max_cqe}. */
    public int maxCqe()
    {
        return maxCqe;
    }

    /** @return {@code max_mr_size}. */
    public long maxMrSize()
    {
        return maxMrSize;
    }

    /** @return {@code max_qp_rd_atom}. */
    public int maxQpRdAtom()
    {
        return maxQpRdAtom;
    }

    @Override
    public String toString()
    {
        return "DeviceAttributes{name=" + name + ", transport=" + transport + ", functions=" + functionCount +
            ", maxQp=" + maxQp + ", maxCq=" + maxCq + ", maxMr=" + maxMr + ", maxSrq=" + maxSrq +
            ", maxQpWr=" + maxQpWr + ", maxSge=" + maxSge + ", maxInlineData=" + maxInlineData +
            ", maxCqe=" + maxCqe + ", maxMrSize=" + maxMrSize + ", maxQpRdAtom=" + maxQpRdAtom + '}';
    }
}
