namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// The <see cref="FrontMethod.Key"/> of every method in <see cref="FrontMethods.All"/>: the CLI's <c>--methods</c> values and
/// what reports and studies look rows up by. The methods return these; a test checks that <see cref="FrontMethods.All"/> has
/// exactly one method per key.
/// </summary>
public static class FrontMethodKeys
{
    /// <summary>HyperDPO (<see cref="HyperDpoFront"/>).</summary>
    public const string HyperDpo = "hyperdpo";

    /// <summary>HyperDPO fine-tuning FastTree references (<see cref="HyperDpoOnLambdaMart"/>).</summary>
    public const string HyperDpoOnLambdaMart = "hyperdpo-lambdamart";

    /// <summary>DPO with linear scalarisation, one fit per weight (<see cref="DpoLinearScalarization"/>).</summary>
    public const string DpoLinearScalarization = "dpo-ls";

    /// <summary>DPO Soup (<see cref="DpoSoup"/>).</summary>
    public const string DpoSoup = "dpo-soup";

    /// <summary>FastTree on scalarised labels, one fit per weight (<see cref="ScalarisedLambdaMart"/>).</summary>
    public const string FastTree = "fasttree";

    /// <summary>LightGBM on scalarised labels, one fit per weight (<see cref="ScalarisedLambdaMart"/>).</summary>
    public const string LightGbm = "lightgbm";

    /// <summary>The FastTree score soup (<see cref="LambdaMartScoreSoup"/>), the default baseline of the ratios.</summary>
    public const string FastTreeSoup = "fasttree-soup";

    /// <summary>One FastTree model with w among its features, linear label aggregation (<see cref="ConditionedLambdaMart"/>).</summary>
    public const string FastTreeConditioned = "fasttree-conditioned";

    /// <summary>One FastTree model with w among its features, stochastic label aggregation (<see cref="ConditionedLambdaMart"/>).</summary>
    public const string FastTreeConditionedStochastic = "fasttree-conditioned-sla";

    /// <summary>HyperDPO fine-tuning one conditioned FastTree reference r(x, w) (<see cref="HyperDpoOnConditionedLambdaMart"/>).</summary>
    public const string HyperDpoOnConditionedLambdaMart = "hyperdpo-conditioned-lambdamart";
}
