/**
 * The {@code aoe:*} Karaf shell commands (also {@code bin/aoe} and SSH exec): this bundle owns the
 * operator's command line over the target's management service; it validates and persists
 * nothing itself. A refused change ends the command with the admin's message and exit status 1.
 *
 * <p><b>Registers:</b> no DS components; the commands and completers are Karaf shell
 * {@code @Service} actions, registered by Karaf's shell extender ({@code Karaf-Commands: *}):
 * {@code aoe:list}, {@code show}, {@code stats}, {@code ports}, {@code create}, {@code check},
 * {@code set}, {@code unset}, {@code enable}, {@code disable}, {@code delete}, {@code mask},
 * {@code reserve}, {@code config-string}, {@code reset-live}, {@code handover}, {@code freeze}, {@code unfreeze},
 * {@code help}.
 * <b>Uses</b> (Karaf's {@code @Reference}): {@link org.aoede.api.ExportAdmin};
 * {@link org.aoede.api.Freezer} (optional: null without the freeze bundle); the shell
 * {@code Session}. <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.shell.AoeAction} (the base: refusals, exit status),
 * {@link org.aoede.shell.CreateCommand}, {@link org.aoede.shell.ShowCommand},
 * {@link org.aoede.shell.HelpCommand}; formatting in {@link org.aoede.shell.Fmt}.
 */
package org.aoede.shell;
