package io.softverbs;

/** Shared receive queue creation attributes; maps to {@code struct ibv_srq_init_attr}. */
public final class SrqInit
{
    private final int maxWr;
    private final int maxSge;
    private final int limit;

    private SrqInit(final Builder b)
    {
        maxWr = b.maxWr;
        maxSge = b.maxSge;
        limit = b.limit;
    }

    /** @return a builder (1024 WRs, 4 SGEs, no limit). */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return {@code attr.max_wr}. */
    public int maxWr()
    {
        return maxWr;
    }

    /** @return {@code attr.max_sge}. */
    public int maxSge()
    {
        return maxSge;
    }

    /** @return {@code attr.srq_limit}, 0 = not armed. */
    public int limit()
    {
        return limit;
    }

    /** Builder of {@link SrqInit}. */
    public static final class Builder
    {
        private int maxWr = 1024;
        private int maxSge = 4;
        private int limit;

        private Builder()
        {
        }

        /** @param n depth. @return this. */
        public Builder maxWr(final int n)
        {
            this.maxWr = n;
            return this;
        }

        /** @param n SGEs per receive. @return this. */
        public Builder maxSge(final int n)
        {
            this.maxSge = n;
            return this;
        }

        /** @param n limit that fires {@link AsyncEventType#SRQ_LIMIT_REACHED}; 0 = not armed. @return this. */
        public Builder limit(final int n)
        {
            this.limit = n;
            return this;
        }

        /** @return the attributes. */
        public SrqInit build()
        {
            if (maxWr < 1 || maxSge < 1 || maxSge > 16 || limit < 0 || limit > maxWr)
            {
                throw new VerbsException(Errors.EINVAL,
                    "SRQ needs maxWr >= 1, 1 <= maxSge <= 16, 0 <= limit <= maxWr: " + maxWr + "/" + maxSge + "/" + limit);
            }
            return new SrqInit(this);
        }
    }
}
