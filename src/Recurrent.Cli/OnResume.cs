namespace Recurrent.Cli;

/// <summary>What a resumed run does with an option given on its command line.</summary>
internal enum OnResume
{
    /// <summary>It defines what the run computes: the value must be the one the checkpoint was trained with.</summary>
    Keep,

    /// <summary>It only shapes the report or says where the data is: the command line's value is taken.</summary>
    Change,
}
