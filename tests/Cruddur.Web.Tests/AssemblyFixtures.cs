using Cruddur.Testing;

[assembly: AssemblyFixture(typeof(LocalServicesFixture))]
[assembly: AssemblyFixture(typeof(CognitoLocalFixture))]
