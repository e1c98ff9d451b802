package io.lkfleet.common.capacity;

/**
 * What a room holds: {@code participants} in total, of whom {@code publishers} publish a camera and
 * a microphone, plus {@code screenShares} screen-share tracks. Every participant subscribes to every
 * track of the others (LiveKit's auto-subscribe), which is what an SFU forwards.
 */
public record RoomShape(int participants, int publishers, int screenShares) {

    public RoomShape {
        if (participants < 0 || publishers < 0 || screenShares < 0 || publishers > participants) {
            throw new IllegalArgumentException("invalid room shape: " + participants + " participants, "
                    + publishers + " publishers, " + screenShares + " screen shares");
        }
        if (screenShares > 0 && participants == 0) {
            throw new IllegalArgumentException("a screen share needs a participant");
        }
    }

    /** A meeting: everyone publishes camera and microphone. */
    public static RoomShape meeting(int participants) {
        return new RoomShape(participants, participants, 0);
    }

    /** The same room after one more participant who publishes camera and microphone joins. */
    public RoomShape withPublisher() {
        return new RoomShape(participants + 1, publishers + 1, screenShares);
    }

    /** The same room after one more participant who only watches joins. */
    public RoomShape withSubscriber() {
        return new RoomShape(participants + 1, publishers, screenShares);
    }

    /** Subscribers (participants who publish nothing). */
    public int subscribers() {
        return participants - publishers;
    }
}
