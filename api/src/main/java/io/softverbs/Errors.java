package io.softverbs;

/**
 * Return codes of the data path ({@code postSend}, {@code postRecv}) and errno values of {@link VerbsException}.
 * The data path returns the negative value, like a negated {@code errno} from {@code ibv_post_send}.
 */
public final class Errors
{
    /** Success. */
    public static final int OK = 0;
    /** Wrong QP state for the operation ({@code -EPERM}). */
    public static final int EPERM = -1;
    /** Resource temporarily unavailable ({@code -EAGAIN}). */
    public static final int EAGAIN = -11;
    /** Queue full or out of resources ({@code -ENOMEM}). */
    public static final int ENOMEM = -12;
    /** Permission or access violation ({@code -EACCES}). */
    public static final int EACCES = -13;
    /** Bad address ({@code -EFAULT}): memory that is not mapped. */
    public static final int EFAULT = -14;
    /** Resource busy ({@code -EBUSY}). */
    public static final int EBUSY = -16;
    /** No such device or name ({@code -ENODEV}). */
    public static final int ENODEV = -19;
    /** Malformed request or argument ({@code -EINVAL}). */
    public static final int EINVAL = -22;
    /** Not implemented here ({@code -ENOSYS}). */
    public static final int ENOSYS = -38;
    /** Timed out ({@code -ETIMEDOUT}). */
    public static final int ETIMEDOUT = -110;

    private Errors()
    {
    }

    /** @return the symbolic name of a code, e.g. {@code EINVAL}. */
    public static String name(final int code)
    {
        switch (code < 0 ? code : -code)
        {
            case OK: return "OK";
            case EPERM: return "EPERM";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EFAULT: return "EFAULT";
            case EBUSY: return "EBUSY";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOSYS: return "ENOSYS";
            case ETIMEDOUT: return "ETIMEDOUT";
            default: return "E" + (-code);
        }
    }
}
