#!/usr/bin/env bash
# Packs the library, then builds and runs the README's pipeline example, exactly as written there, in a new console
# project that references the packed package from a local folder (plus TorchSharp-cpu), on the bundled digits.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The SDK's restore and run leave folders in the temp folder: keep them in ours, which goes at exit.
mkdir "$work/tmp" && export TMPDIR="$work/tmp"
# A version of its own, so no package of the same version in the NuGet cache stands in for this one.
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Microsoft.ML.Autoencoders/Microsoft.ML.Autoencoders.csproj)-ci.$(date +%s)"
dotnet pack src/Microsoft.ML.Autoencoders -c Release -o "$work/feed" --nologo -v quiet -p:Version="$version"
# The analysis package too: it depends on the core package of its own version, which the feed holds.
dotnet pack src/Microsoft.ML.Autoencoders.Analysis -c Release -o "$work/feed" --nologo -v quiet -p:Version="$version"
# Twice: as a new ML.NET user installs it, and beside Microsoft.ML.TorchSharp (ML.NET's own TorchSharp trainers), whose
# TorchSharp dependency must resolve to ours.
for extra in "" '<PackageReference Include="Microsoft.ML.TorchSharp" Version="0.24.0" />'; do
rm -rf "$work/consumer"
mkdir "$work/consumer"
cat > "$work/consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.Autoencoders" Version="$version" />
    <PackageReference Include="Microsoft.ML.Autoencoders.Analysis" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
    $extra
  </ItemGroup>
</Project>
XML
cat > "$work/consumer/nuget.config" <<XML
<configuration>
  <packageSources>
    <add key="packed" value="$work/feed" />
  </packageSources>
</configuration>
XML
# The first C# block of the README is the program.
awk '/^```csharp/{n++; next} /^```/{if (n==1) exit} n==1' README.md > "$work/consumer/Program.cs"
gunzip -c data/digits/digits.csv.gz > "$work/consumer/digits.csv"
(cd "$work/consumer" && dotnet run -c Release --nologo -v quiet)
(cd "$work/consumer" && dotnet list package --include-transitive | grep -E "> (Microsoft.ML|Microsoft.ML.TorchSharp|TorchSharp) ")
echo "consumer: the README's pipeline ran on the packed package $version${extra:+ beside Microsoft.ML.TorchSharp 0.24.0}"
done
