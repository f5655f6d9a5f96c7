package io.softverbs;

/**
 * The list forms of the posts ({@code ibv_post_send}, {@code ibv_post_recv}, {@code ibv_post_srq_recv} with a chain
 * of work requests): what every implementation checks the same way. libibverbs chains requests through
 * {@code next}; here a list is a range of an array, and the post returns how many it took, so the first refused
 * request ({@code bad_wr}) is {@code list[offset + returned]}.
 */
public final class PostLists
{
    private PostLists()
    {
    }

    /**
     * @param list   the requests.
     * @param offset the first.
     * @param length how many.
     * @return true if the range lies inside the array; a post given a range outside it posts nothing.
     */
    public static boolean isRange(final Object[] list, final int offset, final int length)
    {
        return offset >= 0 && length >= 0 && offset <= list.length - length;
    }
}
