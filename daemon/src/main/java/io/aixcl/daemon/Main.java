package io.aixcl.daemon;

public final class Main {
    public static void main(String[] args) {
        System.out.println("aixcld");
    }
}
