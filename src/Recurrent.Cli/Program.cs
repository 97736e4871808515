return Recurrent.Cli.CliApp.Run(args, Console.Out, Console.Error);
