global using Recurrent;
global using Recurrent.Data;
global using Recurrent.Models;
