/**
 * The "AoE" page of the Felix web console ({@code /system/console/aoe}): this bundle owns the
 * browser view of every export and interface (state, live statistics, polled as
 * {@code data.json}) and the forms that change exports ({@code action.json}, guarded by a
 * per-page token in the {@code X-AoE-Token} header against cross-site requests).
 *
 * <p><b>Registers:</b> {@link org.aoede.webconsole.AoePlugin} as {@code javax.servlet.Servlet},
 * properties {@code felix.webconsole.label=aoe}, {@code felix.webconsole.title=AoE},
 * {@code felix.webconsole.category=AoEde} (picked up by the web console).
 * <b>Uses:</b> {@link org.aoede.api.ExportAdmin} and {@link org.aoede.api.Freezer}, both optional
 * and dynamic (without the target the page says it is not running).
 * <b>Configuration:</b> none.
 *
 * <p><b>Start reading:</b> {@link org.aoede.webconsole.AoePlugin}; HTML escaping in
 * {@link org.aoede.webconsole.Text}, JSON in {@link org.aoede.api.Json}.
 */
package org.aoede.webconsole;
