global using Recurrent;
global using Recurrent.Autograd;
global using Recurrent.Checkpoints;
global using Recurrent.Data;
global using Recurrent.Models;
global using Recurrent.Tensors;
global using Recurrent.Training;
global using Recurrent.Interop;
