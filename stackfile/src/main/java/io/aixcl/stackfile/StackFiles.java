package io.aixcl.stackfile;

import io.aixcl.core.stack.StackDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Entry point: the built-in catalog, and the catalog merged with a user's stack file. Every failure is a
 * {@link StackFileException} listing all problems with file, line, column and field.
 */
public final class StackFiles {
    static final String CATALOG_RESOURCE = "catalog.yaml";
    static final String CATALOG_NAME = "catalog.yaml (built in)";
    private static final String EMPTY_USER_FILE = "version: 1\n";

    private StackFiles() {}

    /** The built-in stack: every service the platform knows, its profiles, and the default runtime. */
    public static StackDefinition catalog() {
        return catalogStack().definition();
    }

    public static LoadedStack catalogStack() {
        return loadStack("(no stack file)", EMPTY_USER_FILE);
    }

    /** The catalog with {@code userStackFile} laid over it. */
    public static StackDefinition load(Path userStackFile) {
        return loadStack(userStackFile).definition();
    }

    public static LoadedStack loadStack(Path userStackFile) {
        Objects.requireNonNull(userStackFile, "userStackFile is null");
        String file = userStackFile.toString();
        Problems problems = new Problems();
        StackDraft user = new StackFileReader(new YamlReader(file, problems), false)
                .read(YamlSource.read(userStackFile, file));
        return assemble(user, problems);
    }

    /** As {@link #load(Path)}, for text that did not come from a file; {@code name} is used in problems. */
    public static StackDefinition load(String name, String yamlText) {
        return loadStack(name, yamlText).definition();
    }

    public static LoadedStack loadStack(String name, String yamlText) {
        return assemble(read(name, yamlText));
    }

    private static Parsed read(String name, String yamlText) {
        Problems problems = new Problems();
        StackDraft user = new StackFileReader(new YamlReader(name, problems), false)
                .read(YamlSource.read(name, yamlText));
        return new Parsed(user, problems);
    }

    private record Parsed(StackDraft draft, Problems problems) {}

    private static LoadedStack assemble(Parsed parsed) {
        return assemble(parsed.draft(), parsed.problems());
    }

    private static LoadedStack assemble(StackDraft user, Problems problems) {
        return new StackAssembler(problems).assemble(CatalogHolder.DRAFT, user);
    }

    /** The catalog is parsed once; a problem in it is a bug in this module, found by its tests. */
    private static final class CatalogHolder {
        static final StackDraft DRAFT = readCatalog();

        private static StackDraft readCatalog() {
            try (InputStream in = StackFiles.class.getResourceAsStream(CATALOG_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + CATALOG_RESOURCE);
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Problems problems = new Problems();
                StackDraft draft = new StackFileReader(new YamlReader(CATALOG_NAME, problems), true)
                        .read(YamlSource.read(CATALOG_NAME, text));
                problems.throwIfAny();
                return draft;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
