using Cruddur.Testing;

[assembly: AssemblyFixture(typeof(LocalServicesFixture))]
