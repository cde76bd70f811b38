// One jsii runtime (a node process driven over one pipe) serves every CDK call of the process: test classes take turns.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
