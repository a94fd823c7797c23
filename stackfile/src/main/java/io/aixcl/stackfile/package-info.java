/**
 * Stack files: the built-in catalog, user stack files laid over it, settings, and Compose export.
 *
 * <p>Public API: {@link io.aixcl.stackfile.StackFiles} (catalog, load), {@link io.aixcl.stackfile.LoadedStack},
 * {@link io.aixcl.stackfile.StackFileException} with {@link io.aixcl.stackfile.Problem}s,
 * {@link io.aixcl.stackfile.Settings}, {@link io.aixcl.stackfile.ComposeExport}, and the two closed vocabularies
 * {@link io.aixcl.stackfile.RuntimeEngine} and {@link io.aixcl.stackfile.EngineApiOperation}. No snakeyaml type
 * appears in it.
 *
 * <p>Inside, reading goes YamlSource (text to nodes, hostile input refused) → YamlReader (typed access that
 * reports and goes on) → StackFileReader / ServiceReader (drafts: what one file says) → StackAssembler (catalog
 * and user drafts merged, cross-references checked, core records built). Writing goes ComposeExport → YamlTree.
 */
package io.aixcl.stackfile;
