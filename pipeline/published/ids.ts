/** The ids of published views (also their folder names): the recipe planner names them, articles refer to them. */

/** A class atlas of `layer`: "mixed5a.class-shark". */
export const classViewId = (layer: string, className: string) => `${layer}.class-${className}`;

/** A comparison of two classes in `layer`, x growing towards `right`: "mixed5a.compare-whale-shark". */
export const comparisonViewId = (layer: string, left: string, right: string) => `${layer}.compare-${left}-${right}`;
