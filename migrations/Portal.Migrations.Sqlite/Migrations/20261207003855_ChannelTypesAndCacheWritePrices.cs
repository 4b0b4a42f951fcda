using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ChannelTypesAndCacheWritePrices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_ai_models_prices_non_negative",
                table: "ai_models");

            migrationBuilder.AddColumn<long>(
                name: "cache_write_input_tokens",
                table: "usage_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "cache_write_price_per_million_micro_yuan",
                table: "usage_records",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "channel_type",
                table: "usage_records",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "azure_api_version",
                table: "channels",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "simulator_wire_family",
                table: "channels",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "OpenAI");

            migrationBuilder.AddColumn<bool>(
                name: "supports_responses_api",
                table: "channels",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "cache_write_price_per_million_micro_yuan",
                table: "ai_models",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "supports_json_mode",
                table: "ai_models",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "supports_tools",
                table: "ai_models",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "supports_vision",
                table: "ai_models",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_ai_models_prices_non_negative",
                table: "ai_models",
                sql: "input_price_per_million_micro_yuan >= 0 AND output_price_per_million_micro_yuan >= 0 AND cached_input_price_per_million_micro_yuan >= 0 AND (cache_write_price_per_million_micro_yuan IS NULL OR cache_write_price_per_million_micro_yuan >= 0)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_ai_models_prices_non_negative",
                table: "ai_models");

            migrationBuilder.DropColumn(
                name: "cache_write_input_tokens",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "cache_write_price_per_million_micro_yuan",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "channel_type",
                table: "usage_records");

            migrationBuilder.DropColumn(
                name: "azure_api_version",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "simulator_wire_family",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "supports_responses_api",
                table: "channels");

            migrationBuilder.DropColumn(
                name: "cache_write_price_per_million_micro_yuan",
                table: "ai_models");

            migrationBuilder.DropColumn(
                name: "supports_json_mode",
                table: "ai_models");

            migrationBuilder.DropColumn(
                name: "supports_tools",
                table: "ai_models");

            migrationBuilder.DropColumn(
                name: "supports_vision",
                table: "ai_models");

            migrationBuilder.AddCheckConstraint(
                name: "ck_ai_models_prices_non_negative",
                table: "ai_models",
                sql: "input_price_per_million_micro_yuan >= 0 AND output_price_per_million_micro_yuan >= 0 AND cached_input_price_per_million_micro_yuan >= 0");
        }
    }
}
