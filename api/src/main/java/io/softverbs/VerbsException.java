package io.softverbs;

/**
 * Control-path failure, the counterpart of a libibverbs call returning NULL or an errno.
 * {@link #errno()} is one of the {@link Errors} codes (negative).
 */
public class VerbsException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param errno   an {@link Errors} code.
     * @param message what was wrong, for a human.
     */
    public VerbsException(final int errno, final String message)
    {
        super(Errors.name(errno) + ": " + message);
        this.errno = errno;
    }

    /**
     * @param errno   an {@link Errors} code.
     * @param message what was wrong, for a human.
     * @param cause   the underlying failure.
     */
    public VerbsException(final int errno, final String message, final Throwable cause)
    {
        super(Errors.name(errno) + ": " + message, cause);
        this.errno = errno;
    }

    /** @return the {@link Errors} code (negative), e.g. {@link Errors#EINVAL}. */
    public int errno()
    {
        return errno;
    }
}
