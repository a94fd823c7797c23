package io.aixcl.stackfile;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.DocumentStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingEndEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.events.SequenceEndEvent;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads one YAML document into nodes that keep their positions, refusing what a configuration file never needs and
 * an attacker would use: anchors and aliases (alias bombs), deep nesting (the composer recurses), explicit tags,
 * huge values and files.
 */
final class YamlSource {
    static final int MAX_BYTES = 1024 * 1024;
    static final int MAX_DEPTH = 32;
    static final int MAX_SCALAR_CHARS = 16 * 1024;

    private YamlSource() {}

    static MappingNode read(Path path, String displayName) {
        return read(displayName, readText(path, displayName));
    }

    static String readText(Path path, String displayName) {
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw single(displayName, "file is larger than " + MAX_BYTES + " bytes (1 MiB); a stack file is small");
            }
            byte[] bytes = Files.readAllBytes(path);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw single(displayName, "not valid UTF-8 text");
            }
            return text;
        } catch (NoSuchFileException e) {
            throw single(displayName, "no such file");
        } catch (IOException e) {
            throw single(displayName, "cannot read: " + e.getMessage());
        }
    }

    static MappingNode read(String file, String text) {
        return readOrEmpty(file, text).orElseThrow(() -> single(file,
                "empty document: expected a mapping (version, services, profiles, ...)"));
    }

    /** The top-level mapping, or empty when the document has no content at all (only comments, say). */
    static Optional<MappingNode> readOrEmpty(String file, String text) {
        if (text.length() > MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw single(file, "file is larger than " + MAX_BYTES + " bytes (1 MiB); a stack file is small");
        }
        LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(true)
                .setMaxAliasesForCollections(0).setAllowRecursiveKeys(false).setCodePointLimit(MAX_BYTES + 1)
                .setUseMarks(true).build();
        Problems problems = new Problems();
        try {
            checkEvents(file, text, settings, problems);
            problems.throwIfAny();
            Optional<Node> root = new Compose(settings).composeString(text);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            if (root.get() instanceof MappingNode mapping) {
                return Optional.of(mapping);
            }
            throw new StackFileException(java.util.List.of(Where.of(file, root.get()).problem("",
                    "expected a mapping at the top level, found " + YamlReader.describe(root.get()))));
        } catch (MarkedYamlEngineException e) {
            Where where = Where.of(file, e.getProblemMark().or(e::getContextMark));
            throw new StackFileException(java.util.List.of(where.problem("", "YAML syntax error: "
                    + firstLine(e.getProblem() == null ? e.getContext() : e.getProblem()))));
        } catch (StackFileException e) {
            throw e;
        } catch (RuntimeException e) {
            // Anything else the YAML library throws on hostile input is still the file's fault, not ours.
            throw single(file, "YAML syntax error: " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    /** One pass over the events, which the parser produces without recursion, before composing nodes. */
    private static void checkEvents(String file, String text, LoadSettings settings, Problems problems) {
        int depth = 0;
        int documents = 0;
        for (Event e : new Parse(settings).parseString(text)) {
            Where where = Where.of(file, e.getStartMark());
            if (e instanceof AliasEvent) {
                problems.add(where, "", "aliases (*name) are not supported: write the value out");
                continue;
            }
            if (e instanceof NodeEvent n && n.getAnchor().isPresent()) {
                problems.add(where, "", "anchors (&name) are not supported: write the value out");
            }
            if (e instanceof ScalarEvent s) {
                if (s.getTag().isPresent()) {
                    problems.add(where, "", "explicit tags (" + clip(s.getTag().get()) + ") are not supported");
                }
                if (s.getValue().length() > MAX_SCALAR_CHARS) {
                    problems.add(where, "", "value is longer than " + MAX_SCALAR_CHARS + " characters");
                }
            } else if (e instanceof CollectionStartEvent c) {
                if (c.getTag().isPresent()) {
                    problems.add(where, "", "explicit tags (" + clip(c.getTag().get()) + ") are not supported");
                }
                if (++depth > MAX_DEPTH) {
                    problems.add(where, "", "nested deeper than " + MAX_DEPTH + " levels");
                    return;
                }
            } else if (e instanceof MappingEndEvent || e instanceof SequenceEndEvent) {
                depth--;
            } else if (e instanceof DocumentStartEvent && ++documents > 1) {
                problems.add(where, "", "more than one YAML document: a stack file is one document");
                return;
            }
            if (problems.size() >= 20) {
                return;
            }
        }
    }

    static StackFileException single(String file, String message) {
        return new StackFileException(java.util.List.of(Where.start(file).problem("", message)));
    }

    private static String firstLine(String s) {
        String line = s == null ? "unreadable input" : s.lines().findFirst().orElse(s);
        return clip(line);
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
