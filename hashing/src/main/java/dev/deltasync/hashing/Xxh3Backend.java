package dev.deltasync.hashing;

import java.util.function.Supplier;

/**
 * Which XXH3 implementation the hashers use, chosen once per JVM: the system's xxHash library
 * ({@link NativeXxh3}) when it binds, else hash4j, which gives the same digests at about half the speed.
 * The system property {@value #PROPERTY} set to {@code hash4j} forces the fallback (tests, or to rule the
 * library out); unset or {@code auto} tries the library first. The choice is logged once, at DEBUG, and
 * every hasher names it in {@link ChunkHasher#implementation()}.
 */
record Xxh3Backend(boolean isNative, String description) {
    static final String PROPERTY = "deltasync.xxh3";

    private static final Xxh3Backend CHOSEN = chooseAndLog();

    static Xxh3Backend chosen() {
        return CHOSEN;
    }

    /** The backend {@code mode} (a {@value #PROPERTY} value) asks for; {@code binding} is only asked under auto. */
    static Xxh3Backend choose(String mode, Supplier<NativeXxh3.Binding> binding) {
        return switch (mode) {
            case "auto" -> {
                NativeXxh3.Binding bound = binding.get();
                yield bound.description().map(d -> new Xxh3Backend(true, d)).orElseGet(() -> hash4j(bound.whyNot()));
            }
            case "hash4j" -> hash4j(PROPERTY + "=hash4j");
            default -> hash4j(PROPERTY + "=" + mode + " is neither auto nor hash4j");
        };
    }

    static Xxh3Backend hash4j(String why) {
        return new Xxh3Backend(false, "hash4j (" + why + ")");
    }

    private static Xxh3Backend chooseAndLog() {
        Xxh3Backend backend = choose(System.getProperty(PROPERTY, "auto"), () -> NativeXxh3.BINDING);
        System.getLogger(Xxh3Backend.class.getName()).log(System.Logger.Level.DEBUG, "xxh3: " + backend.description);
        return backend;
    }
}
