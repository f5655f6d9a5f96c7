package io.softverbs;

import java.util.Objects;

/**
 * How to open a {@link Device}: its name, transport, functions, progress mode and limits.
 * The libibverbs counterpart is choosing an {@code ibv_device} from {@code ibv_get_device_list}; the limits are
 * those {@code ibv_query_device} reports in {@code ibv_device_attr}.
 */
public final class DeviceConfig
{
    private final String name;
    private final String transport;
    private final int functions;
    private final ProgressMode progress;
    private final boolean busySpin;
    private final int maxQp;
    private final int maxCq;
    private final int maxMr;
    private final int maxSrq;
    private final int maxQpWr;
    private final int maxSge;
    private final int maxInlineData;
    private final int maxCqe;

    private DeviceConfig(final Builder b)
    {
        name = b.name;
        transport = b.transport;
        functions = b.functions;
        progress = b.progress;
        busySpin = b.busySpin;
        maxQp = b.maxQp;
        maxCq = b.maxCq;
        maxMr = b.maxMr;
        maxSrq = b.maxSrq;
        maxQpWr = b.maxQpWr;
        maxSge = b.maxSge;
        maxInlineData = b.maxInlineData;
        maxCqe = b.maxCqe;
    }

    /**
     * @param name the device name; on the {@code mem} transport peers reach it as {@code mem://name}.
     * @return a builder with the defaults.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /** @return the device name. */
    public String name()
    {
        return name;
    }

    /** @return the transport: {@code mem} or {@code udp://HOST:PORT}. */
    public String transport()
    {
        return transport;
    }

    /** @return the scheme of {@link #transport()}: {@code mem} or {@code udp}. */
    public String transportScheme()
    {
        final int i = transport.indexOf("://");
        return i < 0 ? transport : transport.substring(0, i);
    }

    /** @return the number of functions (one PF plus VFs). */
    public int functions()
    {
        return functions;
    }

    /** @return who runs the engines. */
    public ProgressMode progress()
    {
        return progress;
    }

    /** @return true if a DEDICATED engine thread busy-spins instead of backing off when idle. */
    public boolean busySpin()
    {
        return busySpin;
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

    /** @return the largest inline payload a WQE may carry. */
    public int maxInlineData()
    {
        return maxInlineData;
    }

    /** @return {@code max_cqe}. */
    public int maxCqe()
    {
        return maxCqe;
    }

    @Override
    public String toString()
    {
        return "DeviceConfig{name=" + name + ", transport=" + transport + ", functions=" + functions +
            ", progress=" + progress + ", maxQp=" + maxQp + ", maxCq=" + maxCq + ", maxMr=" + maxMr +
            ", maxQpWr=" + maxQpWr + ", maxSge=" + maxSge + ", maxInlineData=" + maxInlineData +
            ", maxCqe=" + maxCqe + '}';
    }

    /** Builder of {@link DeviceConfig}. */
    public static final class Builder
    {
        private final String name;
        private String transport = "mem";
        private int functions = 1;
        private ProgressMode progress = ProgressMode.DEDICATED;
        private boolean busySpin;
        private int maxQp = 16384;
        private int maxCq = 16384;
        private int maxMr = 65536;
        private int maxSrq = 1024;
        private int maxQpWr = 16384;
        private int maxSge = 16;
        private int maxInlineData = 1024;
        private int maxCqe = 1 << 22;

        private Builder(final String name)
        {
            this.name = name;
        }

        /** @param transport {@code mem} (default) or {@code udp://HOST:PORT} (port 0 = ephemeral). @return this. */
        public Builder transport(final String transport)
        {
            this.transport = transport;
            return this;
        }

        /** @param functions number of functions, PF + VFs (default 1). @return this. */
        public Builder functions(final int functions)
        {
            this.functions = functions;
            return this;
        }

        /** @param progress who runs the engines (default DEDICATED). @return this. */
        public Builder progress(final ProgressMode progress)
        {
            this.progress = progress;
            return this;
        }

        /** @param busySpin true to make DEDICATED engine threads spin when idle. @return this. */
        public Builder busySpin(final boolean busySpin)
        {
            this.busySpin = busySpin;
            return this;
        }

        /** @param maxQp QPs per device. @return this. */
        public Builder maxQp(final int maxQp)
        {
            this.maxQp = maxQp;
            return this;
        }

        /** @param maxCq CQs per device. @return this. */
        public Builder maxCq(final int maxCq)
        {
            this.maxCq = maxCq;
            return this;
        }

        /** @param maxMr memory regions per device. @return this. */
        public Builder maxMr(final int maxMr)
        {
            this.maxMr = maxMr;
            return this;
        }

        /** @param maxSrq SRQs per device. @return this. */
        public Builder maxSrq(final int maxSrq)
        {
            this.maxSrq = maxSrq;
            return this;
        }

        /** @param maxQpWr largest work queue depth. @return this. */
        public Builder maxQpWr(final int maxQpWr)
        {
            this.maxQpWr = maxQpWr;
            return this;
        }

        /** @param maxSge largest scatter/gather list (at most 16). @return this. */
        public Builder maxSge(final int maxSge)
        {
            this.maxSge = maxSge;
            return this;
        }

        /** @param maxInlineData largest inline payload (at least 512). @return this. */
        public Builder maxInlineData(final int maxInlineData)
        {
            this.maxInlineData = maxInlineData;
            return this;
        }

        /** @param maxCqe largest CQ. @return this. */
        public Builder maxCqe(final int maxCqe)
        {
            this.maxCqe = maxCqe;
            return this;
        }

        /**
         * @return the configuration.
         * @throws VerbsException EINVAL when a value is out of range.
         */
        public DeviceConfig build()
        {
            if (name == null || name.isEmpty() || name.contains("/"))
            {
                throw new VerbsException(Errors.EINVAL, "device name must be non-empty and without '/': " + name);
            }
            Objects.requireNonNull(progress, "progress");
            if (transport == null || transport.isEmpty())
            {
                throw new VerbsException(Errors.EINVAL, "transport must be 'mem' or 'udp://HOST:PORT'");
            }
            positive("functions", functions, 256);
            positive("maxQp", maxQp, 1 << 23);
            positive("maxCq", maxCq, 1 << 23);
            positive("maxMr", maxMr, 1 << 23);
            positive("maxSrq", maxSrq, 1 << 23);
            positive("maxQpWr", maxQpWr, 1 << 20);
            positive("maxSge", maxSge, 16);
            positive("maxCqe", maxCqe, 1 << 26);
            if (maxInlineData < 512 || maxInlineData > 16384)
            {
                throw new VerbsException(Errors.EINVAL, "maxInlineData must be in [512, 16384]: " + maxInlineData);
            }
            return new DeviceConfig(this);
        }

        private static void positive(final String what, final int value, final int max)
        {
            if (value < 1 || value > max)
            {
                throw new VerbsException(Errors.EINVAL, what + " must be in [1, " + max + "]: " + value);
            }
        }
    }
}
